import { describe, expect, it } from 'vitest';
import { isInside } from '../src/access/containment.js';
import { createDenyList } from '../src/access/deny-list.js';
import { createExecConfigGuard } from '../src/access/exec-config.js';
import { denyFilter } from '../src/tools/read/walk/deny-filter.js';

// The walk's filter only saves time: for every entry the walk reaches (through directories that are
// not protected themselves) it must answer exactly as the deny list does.
const NAMES = [
  '.env', '.ENV.local', 'server.pem', 'KEY.PEM', 'id_rsa', 'id_rsa.pub', 'deploy_rsa', '.ssh', 'notes.txt', 'readme.md',
  'abc.txt', 'aXc.txt', 'ac.txt', 'x.txt', 'y.txt', 'one.two.bak', 'plain.bak', 'secret', 'Secret.JSON', 'a+b', 'report.final.csv',
];
const DIRECTORIES = ['', 'home/', 'project/config/', 'private/'];

const PATTERN_SETS: Record<string, string[]> = {
  'the defaults': [],
  'literal names and one star': ['**/secret', '**/*.json'],
  'a question mark': ['**/a?c.txt'],
  'a directory and everything in it': ['private/**', '**/.ssh/**/**'],
  'braces, which cannot be split': ['**/{x,y}.txt'],
  'two stars in the last segment': ['**/*.*.bak'],
  'regular expression characters in a name': ['**/a+b', '**/report.final.csv'],
  'an absolute pattern': ['/srv/files/home/notes.txt'],
  'a pattern ending in a slash': ['**/docs/'],
};

describe('denyFilter', () => {
  for (const [name, extra] of Object.entries(PATTERN_SETS)) {
    it(`answers as the deny list does for ${name}`, () => {
      const deny = createDenyList({ extra, includeDefaults: extra.length === 0 });
      const filter = denyFilter(deny);
      expect(denyFilter(deny)).toBe(filter);
      for (const directory of DIRECTORIES) {
        const parent = directory.slice(0, -1);
        if (parent !== '' && deny.match({ inRoot: parent, absolute: `/srv/files/${parent}` }) !== undefined) continue;
        for (const entry of NAMES) {
          const inRoot = `${directory}${entry}`;
          const absolute = `/srv/files/${inRoot}`;
          const expected = deny.matchEntry({ inRoot, absolute }) !== undefined;
          expect(filter.denied(inRoot, absolute, entry), inRoot).toBe(expected);
        }
      }
    });
  }

  it('denies nothing without patterns', () => {
    const filter = denyFilter(createDenyList({ extra: [], includeDefaults: false }));
    expect(filter.denied('.env', '/srv/files/.env', '.env')).toBe(false);
  });
});

describe('isInside', () => {
  it('counts the root itself as inside, and a sibling sharing its prefix as outside', () => {
    expect(isInside('/data/app', '/data/app')).toBe(true);
    expect(isInside('/data/app', '/data/app/x')).toBe(true);
    expect(isInside('/data/app', '/data/app_evil')).toBe(false);
    expect(isInside('/data/app', '/data')).toBe(false);
    expect(isInside('/data/app', '/data/app/../other')).toBe(false);
  });
});

describe('createExecConfigGuard', () => {
  const at = (inRoot: string) => ({ inRoot, absolute: `/srv/files/${inRoot}` });

  it('names the kind and pattern of a listed file', () => {
    expect(createExecConfigGuard([]).match(at('repo/.git/hooks/pre-commit'))).toMatchObject({
      kind: { what: 'a Git hook' },
      pattern: '**/.git/hooks/**',
    });
    expect(createExecConfigGuard([]).match(at('src/index.ts'))).toBeUndefined();
  });

  it('lets through only what the operator allows', () => {
    const guard = createExecConfigGuard(['repo/.vscode/**']);
    expect(guard.match(at('repo/.vscode/settings.json'))).toBeUndefined();
    expect(guard.match(at('other/.vscode/settings.json'))).toMatchObject({ pattern: '**/.vscode/settings.json' });
  });
});
