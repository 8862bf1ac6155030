// A module that exports something, but not a Saldo plugin.
export default { name: 'left-pad', pad: (s: string) => ` ${s}` };
