import pino from 'pino';
import { redactLogArguments, redactLogRecord } from './log-record-redaction.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

export type Logger = pino.Logger;

export interface CreateLoggerOptions {
  name: string;
  level?: LogLevel;
  /** Where JSON lines go. Default: synchronous stderr. Never stdout: it carries the protocol. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const { name, level = 'info' } = options;
  // Synchronous so that lines written just before process.exit are not lost.
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  const logger = pino(
    {
      name,
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        bindings: (bindings) => redactLogRecord(bindings),
        log: (record) => redactLogRecord(record),
      },
      // redactLogRecord has already serialised `err`; pino's default serializer would redo it.
      serializers: { err: (value: unknown) => value },
      hooks: {
        logMethod(args, method) {
          method.apply(this, redactLogArguments(args) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
  redactChildBindings(logger);
  return logger;
}

/**
 * pino applies `formatters.bindings` to the root logger only, so bindings passed to `child()`
 * and `setBindings()` are redacted here. Children inherit these methods from the root.
 */
function redactChildBindings(logger: Logger): void {
  const { child, setBindings } = logger;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactLogRecord(bindings), childOptions);
  } as Logger['child'];
  logger.setBindings = function (this: Logger, bindings) {
    setBindings.call(this, redactLogRecord(bindings));
  };
}
