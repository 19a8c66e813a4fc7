import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { danglingMapReferences } from '../src/packed-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bastion-packed-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(files: Record<string, string | object>): string[] {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return Object.keys(files);
}

const map = (sources: string[], sourceRoot?: string) => ({ version: 3, sources, mappings: '', sourceRoot });

describe('danglingMapReferences', () => {
  it('accepts maps whose sources and scripts whose maps are all packed', () => {
    const files = write({
      'dist/a.js': 'x;\n//# sourceMappingURL=a.js.map',
      'dist/a.js.map': map(['../src/a.ts']),
      'dist/a.d.ts': 'export {};\n//# sourceMappingURL=a.d.ts.map\n',
      'dist/a.d.ts.map': map(['a.ts'], '../src/'),
      'dist/inline.js': 'x;\n//# sourceMappingURL=data:application/json;base64,e30=',
      'src/a.ts': 'export {};',
    });
    expect(danglingMapReferences(dir, files)).toEqual([]);
  });

  it('names map sources that are not packed, relative to the map and its sourceRoot', () => {
    const files = write({
      'dist/a.js.map': map(['../src/a.ts']),
      'dist/nested/b.d.ts.map': map(['b.ts'], '../../src/nested'),
      'dist/c.js.map': map(['webpack://pkg/c.ts', '../../other/c.ts']),
    });
    expect(danglingMapReferences(dir, files)).toEqual([
      'dist/a.js.map -> src/a.ts',
      'dist/nested/b.d.ts.map -> src/nested/b.ts',
      'dist/c.js.map -> webpack://pkg/c.ts',
      'dist/c.js.map -> ../other/c.ts',
    ]);
  });

  it('names map references of scripts and declarations whose map is not packed', () => {
    const files = write({
      'dist/a.js': 'x;\n//# sourceMappingURL=a.js.map\n',
      'dist/a.d.ts': 'export {};\n//# sourceMappingURL=a.d.ts.map',
    });
    expect(danglingMapReferences(dir, files)).toEqual([
      'dist/a.js -> dist/a.js.map',
      'dist/a.d.ts -> dist/a.d.ts.map',
    ]);
  });
});
