/** A lock that only support staff can lift: the largest instant a JavaScript Date can hold. */
export const FOREVER = 8_640_000_000_000_000;
