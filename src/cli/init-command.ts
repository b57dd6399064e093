// `critpoint init [file] [--grpc] [--force]`: writes a commented starter scenario that
// `critpoint validate` accepts as written (HTTP) or once grpc.proto/service/method name the
// service (gRPC). The templates are files under scenarios/ (shipped with the package), so the
// text users get is the text the tests validate.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CritpointError, EXIT } from '../errors.js';
import type { Act, CliIO } from './program.js';

export const DEFAULT_INIT_FILE = 'critpoint.yaml';

export function starterTemplatePath(grpc: boolean): string {
  return fileURLToPath(new URL(`../../scenarios/${grpc ? 'starter-grpc' : 'starter'}.yaml`, import.meta.url));
}

export function addInitCommand(program: Command, io: CliIO, act: Act): void {
  program
    .command('init')
    .description(`write a commented starter scenario (default ${DEFAULT_INIT_FILE}; - prints it); sends nothing`)
    .argument('[file]', 'scenario file to write, or - for stdout', DEFAULT_INIT_FILE)
    .option('--grpc', 'a gRPC service (grpc:// target, grpc section)')
    .option('--force', 'overwrite the file if it exists')
    .action(
      act(async (file: string, o: { grpc?: boolean; force?: boolean }) => {
        const text = await readFile(starterTemplatePath(Boolean(o.grpc)), 'utf8');
        if (file === '-') {
          io.stdout(text);
          return 0;
        }
        try {
          // 'wx' refuses an existing file in the same system call that creates it: no check-then-write race.
          await writeFile(file, text, { flag: o.force ? 'w' : 'wx' });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
          if (code === 'EEXIST') throw new CritpointError(`${file} already exists; pass --force to overwrite it`, 'exists', EXIT.invalid);
          throw new CritpointError(`cannot write ${file} (${code})`, 'not-writable', EXIT.notWritable);
        }
        const next = o.grpc ? "set grpc.proto, grpc.service and grpc.method to your service's" : "set target.url and http.path to your service's";
        io.stderr(`wrote ${file}: ${next}, then: critpoint validate ${file}\n`);
        return 0;
      }),
    );
}
