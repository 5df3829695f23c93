import type { HandlersFor } from '../router';
import { sequenceEngine } from '../sequences';

type SequenceMessage =
  | 'sequences.list'
  | 'sequences.get'
  | 'sequences.save'
  | 'sequences.delete'
  | 'sequences.preview'
  | 'sequences.enrol'
  | 'sequences.setPaused'
  | 'sequences.unenrol'
  | 'sequences.sync'
  | 'sequences.watchList'
  | 'sequences.replySeen';

export const sequenceHandlers: HandlersFor<SequenceMessage> = {
  'sequences.list': async () => ({ sequences: await sequenceEngine().list() }),
  'sequences.get': ({ id, filter, offset, limit }) => sequenceEngine().detail(id, filter, offset, limit),
  'sequences.save': (input) => sequenceEngine().save(input),
  'sequences.delete': async ({ id }) => ({ deleted: await sequenceEngine().remove(id) }),
  'sequences.preview': (req) => sequenceEngine().preview(req),
  'sequences.enrol': (req) => sequenceEngine().enrol(req),
  'sequences.setPaused': async ({ sequenceId, addresses, paused }) => ({ changed: await sequenceEngine().setPaused(sequenceId, addresses, paused) }),
  'sequences.unenrol': async ({ sequenceId, addresses }) => ({ stopped: await sequenceEngine().unenrol(sequenceId, addresses) }),
  'sequences.sync': async () => ({ updated: await sequenceEngine().sync() }),
  'sequences.watchList': () => sequenceEngine().watchList(),
  'sequences.replySeen': async ({ sightings }) => ({ stopped: await sequenceEngine().replySeen(sightings) }),
};
