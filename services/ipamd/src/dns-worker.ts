/**
 * A DNS worker process (forked by ipamd with --dns-workers > 0). It receives its settings and
 * then the zone events from the primary over IPC, keeps its own copy of the zone index, and
 * serves DNS on the socket it shares with the other workers through node:cluster.
 */
import { ClientAcl, DnsServer, ZoneIndex } from '@netspan/dns';
import { createLogger } from '@netspan/log';
import type { FromWorker, ToWorker } from './dns.js';

const index = new ZoneIndex();
let server: DnsServer | undefined;
let log: ReturnType<typeof createLogger> | undefined;

function send(m: FromWorker): void {
  // After the primary is gone there is nobody to tell.
  if (process.connected) process.send?.(m);
}

process.on('message', (m: ToWorker) => {
  if (m.t === 'zone') {
    for (const e of m.events) index.apply(e);
    return;
  }
  if (m.t === 'init' && !server) {
    log = createLogger({ name: 'ipamd-dns', level: m.logLevel, format: m.logFormat });
    const s = new DnsServer({
      index,
      host: m.host,
      port: m.port,
      upstreams: m.upstreams,
      acl: new ClientAcl(m.allowRecursion),
      log,
    });
    server = s;
    // Counters go to the primary in bulk, never per query: every interval, when they changed.
    let sent = '';
    setInterval(() => {
      const now = JSON.stringify(s.stats);
      if (now === sent) return;
      sent = now;
      send({ t: 'stats', stats: s.stats, conflicts: index.stats.conflicts });
    }, m.statsIntervalMs).unref();
    s.start().then(
      (a) => send({ t: 'ready', port: a.port }),
      (err: unknown) => {
        send({ t: 'failed', error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  }
});

send({ t: 'hello' });

const stop = () => {
  const s = server;
  if (!s) process.exit(0);
  log?.info({ stats: s.stats, conflicts: index.stats.conflicts }, 'dns worker stopping');
  send({ t: 'stats', stats: s.stats, conflicts: index.stats.conflicts });
  s.stop().finally(() => setTimeout(() => process.exit(0), 50));
};
process.on('SIGTERM', stop);
process.on('SIGINT', () => {
  // The terminal's Ctrl-C reaches the whole process group: the primary decides when workers stop.
});
process.on('disconnect', stop);
