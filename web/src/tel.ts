// Telephone links: what a phone's dialler takes.

/** "tel:" with only the digits and a leading "+" of a number as staff typed it. */
export const telLink = (phone: string) => `tel:${phone.replace(/[^\d+]/g, "")}`;
