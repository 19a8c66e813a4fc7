import { defineResource, defineResourceTemplate } from '@bastion-mcp/core';
import { PNG_PIXEL } from '../assets.js';

export const staticText = defineResource({
  name: 'static-text',
  uri: 'test://static-text',
  title: 'Static Text Resource',
  description: 'A static text resource for testing',
  mimeType: 'text/plain',
  scopes: [],
  read: (uri) => [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
});

export const staticBinary = defineResource({
  name: 'static-binary',
  uri: 'test://static-binary',
  title: 'Static Binary Resource',
  description: 'A static binary resource (image) for testing',
  mimeType: 'image/png',
  scopes: [],
  read: (uri) => [{ uri: uri.href, mimeType: 'image/png', blob: PNG_PIXEL }],
});

export const embeddedResource = defineResource({
  name: 'embedded-resource',
  uri: 'test://embedded-resource',
  description: 'The resource that test_embedded_resource embeds',
  mimeType: 'text/plain',
  scopes: [],
  read: (uri) => [{ uri: uri.href, mimeType: 'text/plain', text: 'This is an embedded resource content.' }],
});

export const watchedResource = defineResource({
  name: 'watched-resource',
  uri: 'test://watched-resource',
  title: 'Watched Resource',
  description: 'A resource clients can subscribe to',
  mimeType: 'text/plain',
  scopes: [],
  read: (uri) => [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content' }],
});

export const templateResource = defineResourceTemplate({
  name: 'template',
  uriTemplate: 'test://template/{id}/data',
  title: 'Resource Template',
  description: 'A resource template with parameter substitution',
  mimeType: 'application/json',
  scopes: [],
  complete: { id: (value) => ['1', '10', '100', '123'].filter((id) => id.startsWith(value)) },
  read: (uri, variables) => {
    const raw = variables.id;
    const id = Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '');
    return [
      {
        uri: uri.href,
        mimeType: 'application/json',
        text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
      },
    ];
  },
});
