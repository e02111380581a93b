/** `chifa`: the terminal's command line (json-contract.md). */
import { Command, CommanderError } from 'commander';
import { registerCard } from './commands/card.ts';
import { registerCatalog } from './commands/catalog.ts';
import { registerDemo } from './commands/demo.ts';
import { registerPrice } from './commands/price.ts';
import { registerReaders } from './commands/readers.ts';
import { EXIT_USAGE, printJson } from './output.ts';
import { LANGS, translator, type Lang } from '../i18n/index.ts';

const program = new Command('chifa')
  .description('Chifa counter terminal')
  .option('--home <dir>', 'data directory (default: $CHIFA_HOME or ~/.chifa)')
  .option('--trust <dir>', 'trust directory of issuer keys (default: $CHIFA_TRUST_DIR or <home>/trust)')
  .option('--lang <lang>', 'language of messages: fr, ar or en', 'fr')
  .showHelpAfterError()
  .exitOverride();

registerReaders(program);
registerCard(program);
registerDemo(program);
registerPrice(program);
registerCatalog(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
      process.exitCode = 0;
    } else {
      // Usage errors keep the contract: with --json, one error document on stdout.
      if (process.argv.includes('--json')) {
        const i = process.argv.indexOf('--lang');
        const asked = i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith('--lang='))?.slice(7);
        const lang = LANGS.includes(asked as Lang) ? (asked as Lang) : 'fr';
        const detail = e.message.replace(/^error: /, '');
        printJson({ error: { code: 'invalid-input', message: translator(lang)('errors.invalid-input', { detail }) } });
      }
      process.exitCode = EXIT_USAGE;
    }
  } else {
    throw e;
  }
}
// The PC/SC binding keeps a monitoring thread alive: a finished command ends the process itself.
process.exit(process.exitCode ?? 0);
