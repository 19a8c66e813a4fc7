import { z } from 'zod';
import { rootProblem } from './config-roots.js';

const MIB = 1024 * 1024;
const ROOTS_REQUIRED = 'required: give at least one allowed directory (positional arguments or FILESYSTEM_ROOTS)';

export const config = z
  .object({
  FILESYSTEM_ROOTS: z
    .array(z.string().min(1), { error: (issue) => (issue.input === undefined ? ROOTS_REQUIRED : undefined) })
    .min(1, { error: ROOTS_REQUIRED })
    .describe('Allowed directories; nothing outside them is reachable. Comma-separated in the environment'),
  FILESYSTEM_WRITE: z.boolean().default(false).describe('Offer the write tools (read-only without it)'),
  FILESYSTEM_ALLOW_DELETE: z.boolean().default(false).describe('Also offer delete_path (needs --write)'),
  FILESYSTEM_ALLOW_HARDLINKS: z
    .boolean()
    .default(false)
    .describe('Allow files with more than one hard link (a hard link can reach a file outside the roots)'),
  FILESYSTEM_MAX_WRITE_BYTES: z
    .number()
    .int()
    .min(1)
    .max(1024 * MIB)
    .default(10 * MIB)
    .describe('Largest content one write, append or edit may produce'),
  FILESYSTEM_MAX_MEDIA_BYTES: z
    .number()
    .int()
    .min(1)
    .max(256 * MIB)
    .default(5 * MIB)
    .describe('Largest file read_media_file and file:// resources return'),
  FILESYSTEM_DENY: z
    .array(z.string().min(1))
    .default([])
    .describe('Extra glob patterns of protected files, matched case-insensitively against paths inside each allowed directory (a pattern starting with / against the absolute path)'),
  FILESYSTEM_ALLOW_SECRET_FILES: z
    .boolean()
    .default(false)
    .describe('Drop the built-in list of protected secret files (.env*, .ssh/, keys, credentials)'),
  FILESYSTEM_ALLOW_EXEC_CONFIG: z
    .array(z.string().min(1))
    .default([])
    .describe('Globs of files that make code run later (Git hooks and config, shell startup files, .envrc, editor tasks) that may be written anyway; ** allows all'),
  })
  // Runs even when another setting is bad, so that every problem is reported at once; a bad
  // value reaches it as given, so only settings that parsed are compared.
  .superRefine(
    (settings, issues) => {
      const roots: unknown = settings.FILESYSTEM_ROOTS;
      const problems = Array.isArray(roots) ? roots.filter((root) => typeof root === 'string' && root !== '').map(rootProblem) : [];
      if (problems.some(Boolean)) {
        issues.addIssue({ code: 'custom', path: ['FILESYSTEM_ROOTS'], message: problems.filter(Boolean).join('; ') });
      }
      if (settings.FILESYSTEM_ALLOW_DELETE === true && settings.FILESYSTEM_WRITE === false) {
        issues.addIssue({ code: 'custom', path: ['FILESYSTEM_ALLOW_DELETE'], message: 'needs --write as well (deleting is a write)' });
      }
    },
    { when: () => true },
  );

export type FilesystemConfig = z.output<typeof config>;
