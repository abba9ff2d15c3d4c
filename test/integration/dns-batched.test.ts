// The DNS integration tests (dns.test.ts) again, with both replicas serving UDP through batched
// syscalls (--dns-io batched: one I/O thread on one replica, two on the other).
process.env.NETSPAN_TEST_DNS_IO = 'batched';
await import('./dns.test.js');
