import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { PxError } from '@/common/errors/px.error';
import { CreateUserDto } from '@/staff/admin/admin.dto';
import { Flags, UsageError } from './args';

// DTO fields by the flag that sets them, so that an error names what the operator typed.
const FLAG_OF: Record<string, string> = {
  username: '--username',
  password: '--password',
  institution_id: '--institution-id',
  phone: '--phone',
  email: '--email',
  totp: '--totp',
  kba: '--kba',
  terms_accepted_version: '--terms-version',
  mfa_preference: '--mfa-preference',
};

/** The same CreateUserDto, with the same class-validator rules, as POST /admin/users takes. */
export async function createUserDto(
  flags: Flags,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<CreateUserDto> {
  if (!flags.username) throw new UsageError('users:create needs --username');
  if ((flags.password === undefined) === !flags['password-stdin'])
    throw new UsageError('users:create needs one of --password and --password-stdin');
  const password = flags['password-stdin'] ? await readPassword(stdin) : flags.password;
  const plain = {
    username: flags.username,
    password,
    institution_id: flags['institution-id'],
    phone: flags.phone,
    email: flags.email,
    totp: flags.totp,
    kba: flags.kba?.map(kbaPair),
    terms_accepted_version: flags['terms-version'],
    mfa_preference: flags['mfa-preference'],
  };
  const dto = plainToInstance(CreateUserDto, dropUndefined(plain));
  const errors = validateSync(dto, { whitelist: true, forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length)
    throw PxError.invalid(errors.flatMap((e) => describe(e, FLAG_OF[e.property] ?? e.property)).join('; '));
  return dto;
}

/** `--kba "Question?=Answer"`: split at the first `=`, since questions end in `?` and answers are free text. */
function kbaPair(raw: string, i: number): { question: string; answer: string } {
  const at = raw.indexOf('=');
  if (at < 0) throw PxError.invalid(`--kba #${i + 1}: must be "Question?=Answer"`);
  return { question: raw.slice(0, at).trim(), answer: raw.slice(at + 1).trim() };
}

function describe(error: ValidationError, path: string): string[] {
  const own = Object.values(error.constraints ?? {}).map((m) => `${path}: ${m}`);
  const nested = (error.children ?? []).flatMap((c) =>
    describe(c, /^\d+$/.test(c.property) ? `${path} #${Number(c.property) + 1}` : `${path} ${c.property}`),
  );
  return [...own, ...nested];
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** All of stdin, less the one newline that `echo` or a here-string adds; kept out of argv and shell history. */
async function readPassword(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
