import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorId, defaultMessage, statusOf } from '@/common/errors/error-id';

/** The envelope of docs/api.md#requests-and-errors with the `error.id`s one status can carry; 503 adds `retry_at`. */
export function errorEnvelopeSchema(status: number, ids: ErrorId[]): SchemaObject {
  const error: SchemaObject = {
    type: 'object',
    required: ['id', 'message'],
    properties: {
      id: { type: 'string', enum: ids, description: 'Stable for errors with the same cause: the contract.' },
      message: { type: 'string', description: 'For display; may change.' },
      ...(status === 503
        ? { retry_at: { type: 'string', format: 'date-time', description: 'When to try again (UTC).' } }
        : {}),
    },
  };
  return {
    type: 'object',
    required: ['request_id', 'error'],
    properties: {
      request_id: { type: 'string', description: 'Also the X-Request-Id header and in every log line.' },
      error,
    },
  };
}

/** One documented response per status, from the ids a route can answer and ErrorId's own status map. */
export function ApiErrors(...ids: ErrorId[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, ErrorId[]>();
  for (const id of ids) byStatus.set(statusOf(id), [...(byStatus.get(statusOf(id)) ?? []), id]);
  return applyDecorators(
    ...[...byStatus].map(([status, of]) =>
      ApiResponse({
        status,
        description: of.map((id) => `${id}: ${defaultMessage(id)}`).join(' '),
        schema: errorEnvelopeSchema(status, of),
      }),
    ),
  );
}
