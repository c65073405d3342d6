#!/usr/bin/env node
// paygrid-operator: parses flags, then hands over to the manager.
import { ConfigError, parseConfig, usage } from './runtime/config.js';
import { createLogger } from './runtime/logger.js';
import { runOperator } from './manager.js';

let config;
try {
  config = parseConfig(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`paygrid-operator: ${err.message}\nRun with --help for the flags.`);
    process.exit(2);
  }
  throw err;
}
if (config.help) {
  process.stdout.write(usage());
  process.exit(0);
}
const log = createLogger({ level: config.logLevel, name: 'paygrid-operator' });
process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
runOperator(config, log).catch((err: unknown) => {
  log.error({ err }, 'operator failed to start');
  process.exit(1);
});
