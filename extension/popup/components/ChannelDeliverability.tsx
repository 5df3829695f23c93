import { useCallback, useEffect, useState } from 'react';
import type { ChannelView } from '../../../shared/messages/channels';
import { send } from '../../lib/messaging';
import { Deliverability, type DeliverabilityState } from './Deliverability';

/** The rep's DKIM selector per channel: not a secret, kept beside the other UI state. */
const selectorKey = (channelId: string) => `dkimSelector:${channelId}`;

/** Asks the background (and through it the relay) once per card; the relay caches DNS answers. */
export function ChannelDeliverability({ channel }: { channel: ChannelView }) {
  const [state, setState] = useState<DeliverabilityState>({ kind: 'checking' });
  const [selector, setSelector] = useState<string | undefined>();
  const check = useCallback(
    (refresh: boolean, dkimSelector?: string) => {
      let live = true;
      setState({ kind: 'checking' });
      send('deliverability.check', { channelId: channel.id, refresh, ...(dkimSelector ? { dkimSelector } : {}) }).then(
        (r) => live && setState(r.report ? { kind: 'report', report: r.report } : { kind: 'note', note: r.note ?? 'relay_needed' }),
        (error: Error) => live && setState({ kind: 'error', message: error.message }),
      );
      return () => {
        live = false;
      };
    },
    [channel.id],
  );
  useEffect(() => {
    let cancel: (() => void) | undefined;
    let live = true;
    void browser.storage.local.get(selectorKey(channel.id)).then((stored) => {
      if (!live) return;
      const saved = stored[selectorKey(channel.id)] as string | undefined;
      setSelector(saved);
      cancel = check(false, saved);
    });
    return () => {
      live = false;
      cancel?.();
    };
  }, [channel.id, check]);
  const onSelector = (value: string) => {
    setSelector(value);
    void browser.storage.local.set({ [selectorKey(channel.id)]: value });
    check(true, value);
  };
  return <Deliverability state={state} onRecheck={() => void check(true, selector)} selector={selector} onSelector={channel.kind === 'gmail' ? undefined : onSelector} />;
}
