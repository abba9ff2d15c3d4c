import type { AddressViews, StoredLease, StoredNetwork, StoreObserver, Subscription } from '@netspan/ipam';

/**
 * Feeds a StoreObserver from the engine's address views instead of a watch of its own: the
 * DNS index follows the same etcd watch as IPAM (one watch and one decode per lease event,
 * not two), and this replica's own leases reach it when their transaction returns.
 *
 * The observer gets a snapshot of the views at once, then every lease the views take or drop,
 * every network they add, redefine or remove, and a new snapshot whenever the views re-list.
 */
export function followViews(views: AddressViews, observer: StoreObserver): Subscription {
  /** Revision of each network as last told to the observer. */
  const told = new Map<string, number>();
  const snapshot = (): void => {
    const networks: StoredNetwork[] = [];
    const leases: StoredLease[] = [];
    told.clear();
    for (const view of views.networks.values()) {
      networks.push(view.stored);
      told.set(view.name, view.stored.revision);
      for (const l of view.leases.values()) leases.push(l);
    }
    observer.snapshot({ networks, leases, reservations: [], revision: views.revision });
  };
  const networksChanged = (): void => {
    for (const view of views.networks.values()) {
      if (told.get(view.name) === view.stored.revision) continue;
      told.set(view.name, view.stored.revision);
      observer.networkPut(view.stored);
    }
    for (const name of told.keys()) {
      if (views.networks.has(name)) continue;
      told.delete(name);
      observer.networkDeleted(name);
    }
  };
  snapshot();
  const offLeases = views.onChange((e) => {
    if (e.type === 'put') observer.leasePut(e.lease);
    else if (e.type === 'delete') observer.leaseDeleted(e.network, e.address, e.revision);
    else snapshot();
  });
  const offNetworks = views.onNetworksChange(networksChanged);
  return {
    close: async () => {
      offLeases();
      offNetworks();
    },
  };
}
