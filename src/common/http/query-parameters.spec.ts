import { IsOptional, IsString } from 'class-validator';
import { parse } from 'node:querystring';
import { IgnoresUnknownParameters, checkQuery, checkQueryValue } from './query-parameters';

class Filter {
  @IsOptional() @IsString() name?: string;
}
class MoreFilter extends Filter {
  @IsOptional() @IsString() other?: string;
}
@IgnoresUnknownParameters()
class PageFilter {
  @IsOptional() @IsString() q?: string;
}

/** The message checkQuery refuses a query string with (parsed as Express 5's 'simple' parser does), or null. */
function problem(query: string, dto: unknown): string | null {
  try {
    checkQuery(parse(query), dto);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('checkQuery', () => {
  it.each(['', 'name=a', 'name=', 'name=a&other=b'])('%j: passes', (query) => {
    expect(problem(query, MoreFilter)).toBeNull();
  });

  it.each(['name[]=a', 'name[a]=a', 'name[0]=a', 'name=a&name=b', 'name=a&name[]=b'])(
    '%j: one parameter, not a single string',
    (query) => {
      expect(problem(query, Filter)).toBe('name: must be a single string');
    },
  );

  it('knows inherited names, and refuses an undeclared one naming the known', () => {
    expect(problem('other=a', MoreFilter)).toBeNull();
    expect(problem('nmae=a', MoreFilter)).toBe('nmae: is not a parameter here (known: other, name)');
    expect(problem('x[]=a', Filter)).toBe('x: is not a parameter here (known: name)');
  });

  it('a DTO that ignores unknown names still holds its own to one string', () => {
    expect(problem('lang=es&x[]=1&y=1&y=2', PageFilter)).toBeNull();
    expect(problem('q[]=a', PageFilter)).toBe('q: must be a single string');
  });

  it('without a DTO every parameter is a single string', () => {
    expect(problem('a=1&b=2', Object)).toBeNull();
    expect(problem('a=1&a=2', Object)).toBe('a: must be a single string');
  });

  it('checkQueryValue: a named parameter', () => {
    expect(() => checkQueryValue('out', undefined)).not.toThrow();
    expect(() => checkQueryValue('out', '1')).not.toThrow();
    expect(() => checkQueryValue('out', ['1', '1'])).toThrow('out: must be a single string');
  });
});
