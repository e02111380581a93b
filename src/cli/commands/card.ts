import type { Command } from 'commander';
import { benchInsuredCard, readInsuredCard, type ReadRequest } from '../../app/read-insured.ts';
import { action } from '../action.ts';
import { cardSummary } from '../card-summary.ts';
import { parseWait, trustStore, withPcsc, type GlobalOptions } from '../context.ts';
import { printJson } from '../output.ts';
import { ChifaError } from '../../core/errors.ts';
import { emulate } from './emulate.ts';

interface ReadOpts {
  reader?: string;
  pin?: string;
  psReader?: string;
  psPin?: string;
  wait?: string;
  count?: string;
}

function request(g: GlobalOptions, o: ReadOpts): ReadRequest {
  return {
    reader: o.reader,
    pin: o.pin,
    psReader: o.psReader,
    psPin: o.psPin,
    waitMs: parseWait(o.wait),
    trust: trustStore(g),
  };
}

function readOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print one JSON document')
    .option('--reader <name>', 'the reader of the insured card (default: the first that holds one)')
    .option('--pin <pin>', "the holder's PIN, to read the emergency data")
    .option('--ps-reader <name>', 'the reader of the professional key (default: the one that holds it)')
    .option('--ps-pin <pin>', "the professional key's PIN, to read the dispensing history")
    .option('--wait <seconds>', 'how long to wait for a card', '10');
}

export function registerCard(program: Command): void {
  const card = program.command('card').description('read, emulate and benchmark Chifa cards');

  readOptions(card.command('read').description('read the insured card'))
    .action(
      action<ReadOpts>(async (g, o) => {
        const result = await withPcsc((s) => readInsuredCard(s, request(g, o)));
        if (g.json) printJson(result.data);
        else process.stdout.write(`${cardSummary(result.data, g.lang)}\n`);
      }),
    );

  readOptions(card.command('bench').description('full reads in a loop on one connection'))
    .option('--count <n>', 'how many reads', '100')
    .action(
      action<ReadOpts>(async (g, o) => {
        const count = Number(o.count);
        if (!Number.isInteger(count) || count < 1) throw new ChifaError('invalid-input', '--count must be a whole number, at least 1.');
        const result = await withPcsc((s) => benchInsuredCard(s, request(g, o), count));
        if (g.json) printJson(result);
        else process.stdout.write(`${result.reads} reads, ${result.msPerRead} ms/read, ${result.apdusPerRead} APDUs/read\n`);
      }),
    );

  card
    .command('emulate')
    .description('serve a virtual card or professional key to pcscd through vpcd until stopped')
    .argument('<file>', 'the card or key document (JSON)')
    .option('--port <port>', 'vpcd port: 35963 (Virtual PCD 00 00) or 35964 (Virtual PCD 00 01)', '35963')
    .option('--json', 'print one JSON line when the card is served')
    .action(action<{ port: string }>(async (g, o, args) => emulate(g, args[0]!, o.port)));
}
