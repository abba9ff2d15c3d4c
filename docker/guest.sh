#!/bin/sh
# A simulated VM for docker-compose.yml: a network namespace of its own with one NIC (eth0)
# plugged into the netspan bridge of the host container it runs beside, and busybox udhcpc
# asking for an address through that host's agent.
#
# Why it looks like this: Docker cannot attach a container to a bridge that lives inside
# another container. So the guest container joins its host container's network namespace
# (`network_mode: service:hostN`), where the agent's bridge is, and makes the VM's own
# namespace itself: `unshare --net` starts a process in a new, empty network namespace, a veth
# pair is created in the host namespace, one end is enslaved to the bridge and the other moved
# into the new namespace by that process's pid, and udhcpc runs in there via nsenter. No
# /run/netns bind mount is needed (so no AppArmor mount rule), only CAP_NET_ADMIN and
# CAP_SYS_ADMIN (for unshare/setns). The namespace dies with the container: its holder process
# is the container's child, and deleting a namespace deletes the veth pair with it.
#
#   guest.sh                run the guest (the container's command)
#   guest.sh exec CMD...    run CMD inside the guest, e.g.
#                           docker compose exec guest1 /app/docker/guest.sh exec ping -c1 10.100.0.12
#
# Environment: GUEST_NAME (required, at most 10 characters: interface names are 15),
# GUEST_BRIDGE (the network's bridge, nsbr<vni>), GUEST_WAIT (seconds to wait for it, 120);
# GUEST_PIDFILE and GUEST_DHCP_SCRIPT move the holder's pid file and udhcpc's script (tests).
set -eu

name=${GUEST_NAME:?GUEST_NAME is required}
bridge=${GUEST_BRIDGE:-nsbr100}
pidfile=${GUEST_PIDFILE:-/run/netspan-guest.pid}
script=${GUEST_DHCP_SCRIPT:-/app/docker/udhcpc.script}

if [ "${1:-}" = exec ]; then
  shift
  exec nsenter -t "$(cat "$pidfile")" -n -- "$@"
fi

# The agent creates the bridge once ipamd sends it the network (the setup service creates it).
waited=0
until ip link show "$bridge" >/dev/null 2>&1; do
  if [ "$waited" -ge "${GUEST_WAIT:-120}" ]; then
    echo "guest $name: bridge $bridge did not appear within ${waited}s (is the agent running?)" >&2
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done

outer="gv-$name"
inner="gp-$name"
ip link del "$outer" 2>/dev/null || true # a previous run of this container

unshare --net sleep infinity &
holder=$!
echo "$holder" >"$pidfile"
client=""
cleanup() {
  trap - EXIT
  if [ -n "$client" ]; then kill "$client" 2>/dev/null || true; fi
  kill "$holder" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
# The holder is in its own namespace only once unshare(2) has run: until then, moving the veth
# "into" it would leave it where it is.
tries=0
while [ "$(readlink "/proc/$holder/ns/net")" = "$(readlink /proc/$$/ns/net)" ]; do
  tries=$((tries + 1))
  if [ "$tries" -ge 100 ]; then
    echo "guest $name: unshare --net did not take effect (CAP_SYS_ADMIN missing?)" >&2
    exit 1
  fi
  sleep 0.05
done

ip link add "$outer" type veth peer name "$inner"
ip link set "$inner" netns "$holder"
ip link set "$outer" master "$bridge"
ip link set "$outer" up
in_guest() { nsenter -t "$holder" -n -- "$@"; }
in_guest ip link set lo up
in_guest ip link set "$inner" name eth0
in_guest ip link set eth0 up

echo "guest $name: eth0 in its own namespace, plugged into $bridge; asking for an address"
# -f: stay in the foreground (the container lives as long as the lease is kept); -x hostname:
# option 12, which names the lease (and, once DNS lands, the guest's A record).
# A simple command, not the in_guest function, so that $! is udhcpc itself (nsenter execs it)
# and stopping the container stops it, not just a subshell around it.
nsenter -t "$holder" -n -- udhcpc -f -i eth0 -x "hostname:$name" -s "$script" &
client=$!
wait "$client"
