import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { PxError } from '@/common/errors/px.error';
import { checkQuery, checkQueryValue } from './query-parameters';

/**
 * DTO validation whose failure is 400 INVALID_REQUEST with a message naming the field. A query string
 * is first held to its shape (one string per parameter, the DTO's names only): see query-parameters.ts.
 */
class PxValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query') {
      if (metadata.data) checkQueryValue(metadata.data, value);
      else checkQuery(value, metadata.metatype);
    }
    return (await super.transform(value, metadata)) as unknown;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new PxValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    exceptionFactory: (errors: ValidationError[]) => PxError.invalid(describe(errors[0])),
  });
}

function describe(error: ValidationError | undefined, prefix = ''): string {
  if (!error) return 'The request is malformed.';
  const path = prefix ? `${prefix}.${error.property}` : error.property;
  if (error.constraints) return `${path}: ${Object.values(error.constraints)[0]}`;
  return describe(error.children?.[0], path);
}
