// JSON logs (pino), one line per event, with the service's identity on every line and redaction
// of card data and secrets (redact.ts) applied to the fields and to the final line.
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { REDACT_PATHS, scrubText } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerSettings {
  readonly service: string;
  /** pino level; default info, or PAYGRID_LOG_LEVEL. */
  readonly level?: string;
  /** Where lines go; default stdout. Tests pass a stream to capture them. */
  readonly destination?: DestinationStream;
}

/** A stream wrapper that scrubs every line before it is written. */
function scrubbing(dest: DestinationStream): DestinationStream & { flush?: () => void } {
  const flushable = dest as DestinationStream & { flushSync?: () => void };
  return {
    write: (line: string) => dest.write(scrubText(line)),
    // pino's logger.flush() reaches the destination through this wrapper.
    flush: () => flushable.flushSync?.(),
  };
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.PAYGRID_LOG_LEVEL ?? 'info',
    base: { service: settings.service },
    redact: { paths: [...REDACT_PATHS], censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const dest = settings.destination ?? pino.destination({ fd: 1, sync: false });
  return pino(options, scrubbing(dest));
}
