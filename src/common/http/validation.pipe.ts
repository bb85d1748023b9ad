import { ValidationError, ValidationPipe } from '@nestjs/common';
import { PxError } from '../errors/px.error';

/** DTO validation whose failure is 400 INVALID_REQUEST with a message naming the field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
