import {
  audioBlock,
  defineTool,
  embeddedTextBlock,
  imageBlock,
  readOnly,
  textBlock,
  toolContent,
} from '@bastion-mcp/core';
import { PNG_PIXEL, WAV_SILENCE } from '../assets.js';

const annotations = readOnly({ openWorld: false });

export const simpleText = defineTool({
  name: 'test_simple_text',
  description: 'Returns one text content block (conformance: tools-call-simple-text).',
  scopes: [],
  annotations,
  handler: () => toolContent([textBlock('This is a simple text response for testing.')]),
});

export const imageContent = defineTool({
  name: 'test_image_content',
  description: 'Returns one PNG image content block (conformance: tools-call-image).',
  scopes: [],
  annotations,
  handler: () => toolContent([imageBlock(PNG_PIXEL, 'image/png')]),
});

export const audioContent = defineTool({
  name: 'test_audio_content',
  description: 'Returns one WAV audio content block (conformance: tools-call-audio).',
  scopes: [],
  annotations,
  handler: () => toolContent([audioBlock(WAV_SILENCE, 'audio/wav')]),
});

export const embeddedResource = defineTool({
  name: 'test_embedded_resource',
  description: 'Returns an embedded text resource block (conformance: tools-call-embedded-resource).',
  scopes: [],
  annotations,
  handler: () =>
    toolContent([embeddedTextBlock('test://embedded-resource', 'This is an embedded resource content.')]),
});

export const multipleContentTypes = defineTool({
  name: 'test_multiple_content_types',
  description: 'Returns text, image and embedded resource blocks together (conformance: tools-call-mixed-content).',
  scopes: [],
  annotations,
  handler: () =>
    toolContent([
      textBlock('Multiple content types test:'),
      imageBlock(PNG_PIXEL, 'image/png'),
      embeddedTextBlock('test://mixed-content-resource', JSON.stringify({ test: 'data', value: 123 }), 'application/json'),
    ]),
});
