/** `kairos keys create|ls|revoke`: API keys of the HTTP service, on the store directly. */
import { InvalidArgumentError, type Command } from 'commander';
import { ApiKeys, SCOPES } from '../../service/api-keys.js';
import { formatTable, iso, type Output } from '../output.js';
import { withKairos, withStoreAndJson, type CommonOptions } from '../options.js';

function parseScopes(value: string): string[] {
  const scopes = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (scopes.length === 0) throw new InvalidArgumentError(`a comma-separated list of ${SCOPES.join(', ')}.`);
  return scopes;
}

export function registerKeys(program: Command, out: Output): void {
  const keys = program.command('keys').description('create, list and revoke API keys of the HTTP service');

  withStoreAndJson(keys.command('create'))
    .description('create a key; it is printed this once (only its hash is stored)')
    .argument('<name>', 'what the key is for (1–128 characters)')
    .option('--scopes <list>', `comma-separated scopes: ${SCOPES.join(', ')} (default jobs:read,jobs:write)`, parseScopes, ['jobs:read', 'jobs:write'])
    .action(async (name: string, flags: CommonOptions & { scopes: string[] }) => {
      const made = await withKairos(flags.store, (kairos) => new ApiKeys(kairos.driver).create({ name, scopes: flags.scopes }));
      if (flags.json === true) return out.json({ key: made.key, ...made.info });
      out.line(made.key);
      out.log(`created key ${made.info.id} (${made.info.scopes.join(', ')}); it is shown this once`);
    });

  withStoreAndJson(keys.command('ls'))
    .description('list keys (never the keys themselves)')
    .action(async (flags: CommonOptions) => {
      const list = await withKairos(flags.store, (kairos) => new ApiKeys(kairos.driver).list());
      if (flags.json === true) return out.json({ keys: list });
      out.line(formatTable(['ID', 'NAME', 'SCOPES', 'CREATED', 'REVOKED'], list.map((k) => [k.id, k.name, k.scopes.join(','), iso(k.createdAt), iso(k.revokedAt)])));
    });

  withStoreAndJson(keys.command('revoke'))
    .description('revoke a key at once (a server that saw it recently stops accepting it within 5 s)')
    .argument('<id>', 'the key id (the part after kairos_)')
    .action(async (id: string, flags: CommonOptions) => {
      await withKairos(flags.store, (kairos) => new ApiKeys(kairos.driver).revoke(id));
      if (flags.json === true) return out.json({ revoked: id });
      out.line(`revoked key ${id}`);
    });
}
