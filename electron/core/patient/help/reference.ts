/** The short reference the patient can read out: the first 6 characters of the entry id, upper case. */
export const referenceOf = (handoffId: string) => handoffId.replace(/-/g, '').slice(0, 6).toUpperCase();
