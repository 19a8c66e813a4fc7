import { defineConnector } from '@bastion-mcp/core';
import { createDenyList } from './access/deny-list.js';
import { createExecConfigGuard } from './access/exec-config.js';
import { FileAccess } from './access/file-access.js';
import { resolveAllowedRoots } from './access/roots.js';
import { config } from './config.js';
import type { FilesystemContext } from './context.js';
import { fileResources } from './resources/index.js';
import { readTools } from './tools/read/index.js';
import { writeTools } from './tools/write/index.js';
import { version } from './version.js';

export const connector = defineConnector({
  name: 'filesystem',
  version,
  title: 'Bastion filesystem',
  description:
    'Files in the directories you allow, and nothing else: read-only unless started with --write, symbolic-link and race safe, secret files invisible.',
  instructions:
    'Paths are absolute or relative to the first allowed directory (list_allowed_directories). Prefer grep_files and search_files ' +
    'to find things, read_text_file with offset/limit for large files, and edit_file over rewriting whole files.',
  usage: '<allowed-directory> [allowed-directory ...]',
  config,
  positionals: 'FILESYSTEM_ROOTS',
  toolsets: {
    read: { description: 'Read, list, search and inspect files', default: true },
    write: { description: 'Create, change, copy, move and delete files (needs --write)', default: true },
  },
  async createContext(settings): Promise<FilesystemContext> {
    const roots = await resolveAllowedRoots(settings.FILESYSTEM_ROOTS);
    const deny = createDenyList({ extra: settings.FILESYSTEM_DENY, includeDefaults: !settings.FILESYSTEM_ALLOW_SECRET_FILES });
    const execConfig = createExecConfigGuard(settings.FILESYSTEM_ALLOW_EXEC_CONFIG);
    return { files: new FileAccess(roots, deny, settings.FILESYSTEM_ALLOW_HARDLINKS, execConfig), settings };
  },
  unavailable(tool, settings) {
    if (tool.annotations.readOnlyHint) return undefined;
    if (!settings.FILESYSTEM_WRITE) return 'the server is read-only; start it with --write to change files';
    if (tool.name === 'delete_path' && !settings.FILESYSTEM_ALLOW_DELETE) {
      return 'deleting is off; start the server with --write --allow-delete';
    }
    return undefined;
  },
  tools: [...readTools, ...writeTools],
  resources: fileResources,
});
