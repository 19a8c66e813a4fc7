export {
  cursorSchema,
  limitSchema,
  page,
  pageInfo,
  type LimitOptions,
} from './pagination.js';
export {
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  type InvalidCursorReason,
} from './cursor.js';
export {
  checkInputHygiene,
  DEFAULT_INPUT_LIMITS,
  type InputLimits,
  type InputProblem,
} from './limits.js';
export { sanitizeDeep, sanitizeText } from './sanitize.js';
export {
  fenceUntrusted,
  isUntrustedSchema,
  untrustedJson,
  untrustedText,
  type UntrustedTextOptions,
} from './untrusted.js';
export { toJsonSafe, type JsonValue } from './json-safe.js';
export {
  findExcessJsonNesting,
  JsonTooDeepError,
  MAX_JSON_DEPTH,
  parseJsonWithinDepth,
  valueExceedsDepth,
} from './json-depth.js';
export { editDistance } from './edit-distance.js';
