# netspan image: ipamd, netspan-agent and netspanctl from one build of this repository.
#
#   docker build -t netspan:local .        (docker compose builds it for you: see docker-compose.yml)
#
# Entry points, on PATH (symlinks to the checked-in bin scripts, which load dist/):
#   ipamd          central service      (services/ipamd/bin/ipamd.js)
#   netspan-agent  per-host agent       (services/agent/bin/agent.js)
#   netspanctl     operator CLI         (packages/cli/bin/netspanctl.js)
# plus docker/guest.sh, the simulated guest used by docker-compose.yml.
# test/integration/compose.test.ts checks that every path named here exists.

# ---- build: dependencies and TypeScript ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first so that `npm ci` is cached until a dependency changes. npm workspaces need
# every workspace's package.json in place before `npm ci`.
COPY package.json package-lock.json ./
COPY packages/api/package.json packages/api/
COPY packages/cli/package.json packages/cli/
COPY packages/dhcp-codec/package.json packages/dhcp-codec/
COPY packages/dhcp-server/package.json packages/dhcp-server/
COPY packages/dns/package.json packages/dns/
COPY packages/etcd-store/package.json packages/etcd-store/
COPY packages/ipam/package.json packages/ipam/
COPY packages/log/package.json packages/log/
COPY packages/metrics/package.json packages/metrics/
COPY packages/netplan/package.json packages/netplan/
COPY services/ipamd/package.json services/ipamd/
COPY services/agent/package.json services/agent/
COPY test/package.json test/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime ----
FROM node:20-bookworm-slim
# iproute2: ip link/fdb/netns for the agent's bridges and VXLAN devices, and for guests.
# nftables: the agent's bridge rules (DHCP only from local ports).
# busybox + udhcpc: the DHCP client the simulated guests run (udhcpc is Debian's busybox applet package).
# util-linux (unshare, nsenter) is part of the base image: guests use it for their namespaces.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 nftables busybox udhcpc \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
RUN ln -s /app/services/ipamd/bin/ipamd.js /usr/local/bin/ipamd \
 && ln -s /app/services/agent/bin/agent.js /usr/local/bin/netspan-agent \
 && ln -s /app/packages/cli/bin/netspanctl.js /usr/local/bin/netspanctl \
 && chmod 0755 /app/docker/guest.sh /app/docker/udhcpc.script
ENV NODE_ENV=production
# ipamd's gRPC API (7700); DHCP from standard relays is off unless --dhcp-listen is given.
EXPOSE 7700
CMD ["ipamd", "--help"]
