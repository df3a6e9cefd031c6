// Structured JSON process logs (pino). The sync log, which users read in wp-admin, is written elsewhere.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, workerId: string): Logger {
  return pino({
    level,
    base: { worker: workerId },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Secrets never reach a log line, even by accident.
    redact: { paths: ['*.password', '*.appPassword', '*.secret', '*.authorization', 'config.wordpress.appPassword'], censor: '[redacted]' },
  });
}
