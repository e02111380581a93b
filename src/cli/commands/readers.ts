import type { Command } from 'commander';
import { listReaders } from '../../app/card-readers.ts';
import { action } from '../action.ts';
import { withPcsc } from '../context.ts';
import { printJson } from '../output.ts';

export function registerReaders(program: Command): void {
  program
    .command('readers')
    .description('list the PC/SC readers and the card in each')
    .option('--json', 'print one JSON document')
    .action(
      action(async (g) => {
        const readers = await withPcsc(listReaders);
        if (g.json) return printJson(readers);
        if (readers.length === 0) process.stdout.write('—\n');
        for (const r of readers) {
          const card = r.card === null ? '—' : `${r.card.application ?? '?'} (ATR ${r.card.atr})`;
          process.stdout.write(`${r.name}\t${card}\n`);
        }
      }),
    );
}
