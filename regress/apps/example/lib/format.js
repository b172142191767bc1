// A plain helper module, imported relatively as Convex apps do.
export function greeting(name, punctuation = "!") {
  return `Hello, ${name}${punctuation}`;
}

export function initials(name) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase())
    .join("");
}
