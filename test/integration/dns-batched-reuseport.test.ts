// The DNS integration tests (dns.test.ts) again, with both replicas serving UDP through batched
// syscalls from a SO_REUSEPORT socket per I/O thread (--dns-io batched-reuseport: one thread on
// one replica, two on the other).
process.env.NETSPAN_TEST_DNS_IO = 'batched-reuseport';
await import('./dns.test.js');
