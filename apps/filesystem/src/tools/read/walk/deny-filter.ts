import type { DenyList } from '../../../access/deny-list.js';
import { foldCase } from '../../../access/path-patterns.js';

/**
 * The deny list, made cheap enough to ask about every entry of a walk.
 *
 * `deny.matchEntry` tries every protected pattern against the whole path (~6 µs per path with the
 * defaults). A walk only reaches an entry through directories that were themselves checked and
 * are not protected, and under that condition a pattern can only match when the entry's own name
 * matches the pattern's last segment (a trailing `/**` matches the directory it names, which the
 * walk never enters). So the names are first tested against the last segments, all in one
 * regular expression, and only a name that passes is given to `deny.matchEntry`, which decides.
 * Both ignore case, as the deny list does. A pattern whose last segment cannot be isolated
 * (braces, extglobs, escapes, `**` in it) makes every path go to `deny.matchEntry`.
 */
export interface DenyFilter {
  /**
   * Whether the entry `name` is protected: `inRoot` is its path inside the configured allowed
   * directory (never inside a client's narrower root), `absolute` its path on disk.
   */
  denied(inRoot: string, absolute: string, name: string): boolean;
}

const UNSPLITTABLE = /[{}()[\]\\!|+@]/;
const REGEX_SPECIAL = /[.+^$()|[\]{}\\]/g;

/**
 * A regular expression for a last segment made of literals, `?` and at most one `*` (more stars
 * could backtrack against a long name; such segments make the filter fall back to deny.matchEntry).
 */
function segmentSource(segment: string): string | undefined {
  if ((segment.match(/\*/g) ?? []).length > 1) return undefined;
  return `^${segment.replace(REGEX_SPECIAL, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`;
}

function lastSegment(pattern: string): string | undefined {
  let rest = pattern;
  while (rest.endsWith('/**')) rest = rest.slice(0, -3);
  if (rest === '' || UNSPLITTABLE.test(rest)) return undefined;
  const segment = rest.slice(rest.lastIndexOf('/') + 1);
  if (segment === '' || segment.includes('**')) return undefined;
  return segment;
}

const cache = new WeakMap<DenyList, DenyFilter>();

export function denyFilter(deny: DenyList): DenyFilter {
  let filter = cache.get(deny);
  if (!filter) {
    filter = buildFilter(deny);
    cache.set(deny, filter);
  }
  return filter;
}

function buildFilter(deny: DenyList): DenyFilter {
  if (deny.patterns.length === 0) return { denied: () => false };
  const sources: string[] = [];
  let splittable = true;
  for (const pattern of deny.patterns) {
    const segment = lastSegment(foldCase(pattern));
    if (segment === undefined) {
      splittable = false;
      break;
    }
    const source = segmentSource(segment);
    if (source === undefined) {
      splittable = false;
      break;
    }
    sources.push(`(?:${source})`);
  }
  if (!splittable) return { denied: (inRoot, absolute) => deny.matchEntry({ inRoot, absolute }) !== undefined };
  const names = new RegExp(sources.join('|'));
  return {
    denied: (inRoot, absolute, name) => names.test(foldCase(name)) && deny.matchEntry({ inRoot, absolute }) !== undefined,
  };
}
