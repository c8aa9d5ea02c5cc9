/**
 * The languages the kiosk speaks and writes, in their default order: the ONE list (config, the
 * contract, both shells' `--lang`, the screens, the voice clips and the tools all take it from here).
 */
export const languages = ['kk', 'ru', 'en'] as const;
export type Language = (typeof languages)[number];

/** The list as a person reads it in a message: "kk, ru or en". */
export const languageChoices = `${languages.slice(0, -1).join(', ')} or ${languages[languages.length - 1]}`;
