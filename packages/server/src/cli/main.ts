import { Command } from 'commander';
import { API_VERSION } from '../app.js';
import { migrateCommand } from './migrate.js';
import { startCommand } from './start.js';
import { tenantsCreateCommand } from './tenants.js';

const program = new Command('atrium').description('Atrium: AI assistants grounded in your knowledge').version(API_VERSION);

program
  .command('start')
  .description('Start the server (embedded PGlite by default; PostgreSQL when DATABASE_URL is set)')
  .action(startCommand);

program.command('migrate').description('Apply database migrations and exit').action(migrateCommand);

program
  .command('worker')
  .description('Run a background worker (connected mode: needs DATABASE_URL and REDIS_URL)')
  .action(async () => {
    // Loaded on demand: the other commands never need the worker's dependencies.
    const { runWorker } = await import('@atrium/worker');
    await runWorker();
  });

program
  .command('tenants')
  .description('Manage tenants offline (the server need not run)')
  .command('create')
  .description('Create a tenant and its owner')
  .requiredOption('--name <name>', 'tenant name')
  .requiredOption('--admin-email <email>', "owner's email")
  .option('--admin-password <password>', "owner's password (generated and printed when omitted)")
  .option('--admin-name <name>', "owner's display name")
  .action(tenantsCreateCommand);

await program.parseAsync(process.argv);
