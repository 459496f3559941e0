const t0 = performance.now(); const c0 = process.cpuUsage();
const mark = (label: string) => { const c = process.cpuUsage(c0); console.log(`${label.padEnd(40)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms wall ${((c.user + c.system) / 1000).toFixed(0).padStart(6)} ms CPU`); };
if (process.argv[3] === 'overlap') {
  const dbP = import('@atrium/core/database').then(({ openDatabase }) => openDatabase({ dataDir: process.argv[2] }));
  const srvP = import('@atrium/server');
  const [db] = await Promise.all([dbP, srvP]); mark('both');
  await db.migrate(); mark('migrate');
} else {
  await import('@atrium/server'); mark('server');
  const { openDatabase } = await import('@atrium/core/database');
  const db = await openDatabase({ dataDir: process.argv[2] }); mark('db');
  await db.migrate(); mark('migrate');
}
