import { zValidator } from '@hono/zod-validator';
import type { z } from 'zod';
import { apiError, zodIssue } from './errors';

/** zod-validated JSON body / query; failures become 400 `{error: {code: 'invalid_request', message, field}}`. */
export const validJson = <S extends z.ZodType>(schema: S) =>
  zValidator('json', schema, (result, c) => {
    if (!result.success) {
      const { message, field } = zodIssue(result.error as unknown as z.ZodError);
      return apiError(c, 400, 'invalid_request', message, field);
    }
  });

export const validQuery = <S extends z.ZodType>(schema: S) =>
  zValidator('query', schema, (result, c) => {
    if (!result.success) {
      const { message, field } = zodIssue(result.error as unknown as z.ZodError);
      return apiError(c, 400, 'invalid_request', message, field);
    }
  });
