import { z } from 'zod';
import { defineMessages } from './define';

/** Messages every context needs from the start. */
export const coreMessages = defineMessages({
  ping: {
    request: z.object({}).strict(),
    response: z.object({ version: z.string() }),
  },
});
