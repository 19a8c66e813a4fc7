import { defineConnector } from '@bastion-mcp/core';
import { inputRequiredPrompt, promptWithArguments, promptWithEmbeddedResource, promptWithImage, simplePrompt } from './prompts/test-prompts.js';
import { embeddedResource, staticBinary, staticText, templateResource, watchedResource } from './resources/test-resources.js';
import { elicitation, elicitationDefaults, elicitationEnums, sampling } from './tools/client-requests.js';
import { audioContent, embeddedResource as embeddedResourceTool, imageContent, multipleContentTypes, simpleText } from './tools/content.js';
import {
  irCapabilities,
  irElicitation,
  irListRoots,
  irMultiRound,
  irMultipleInputs,
  irRequestState,
  irSampling,
  irTamperedState,
} from './tools/input-required.js';
import { errorHandling, reconnection, toolWithLogging, toolWithProgress } from './tools/notifications.js';
import { echo, jsonSchema202012 } from './tools/schema.js';
import {
  customHeader,
  loggingTool,
  missingCapability,
  streamingElicitation,
  triggerPromptChange,
  triggerToolChange,
} from './tools/stateless.js';

export const connector = defineConnector({
  name: 'conformance-fixture',
  version: '0.1.0',
  title: 'Bastion conformance fixture',
  description: 'Implements the tools, resources and prompts the official MCP conformance suite calls.',
  instructions: 'A test fixture for the MCP conformance suite. Nothing here has side effects.',
  clientLogging: true,
  resourceSubscriptions: true,
  tools: [
    echo,
    simpleText,
    imageContent,
    audioContent,
    embeddedResourceTool,
    multipleContentTypes,
    toolWithLogging,
    toolWithProgress,
    errorHandling,
    reconnection,
    sampling,
    elicitation,
    elicitationDefaults,
    elicitationEnums,
    jsonSchema202012,
    irElicitation,
    irSampling,
    irListRoots,
    irRequestState,
    irMultipleInputs,
    irMultiRound,
    irTamperedState,
    irCapabilities,
    missingCapability,
    streamingElicitation,
    loggingTool,
    triggerToolChange,
    triggerPromptChange,
    customHeader,
  ],
  resources: [staticText, staticBinary, embeddedResource, watchedResource, templateResource],
  prompts: [simplePrompt, promptWithArguments, promptWithEmbeddedResource, promptWithImage, inputRequiredPrompt],
});
