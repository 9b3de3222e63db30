// Types for imurmurhash (MurmurHash3, 32 bits), which ships none.
declare module 'imurmurhash' {
  interface MurmurHash3 {
    hash(key: string): MurmurHash3;
    result(): number;
    reset(seed?: number): MurmurHash3;
  }
  /** Called without `new`, a shared instance: hashes `key` with `seed` (0). */
  function MurmurHash3(key?: string, seed?: number): MurmurHash3;
  export default MurmurHash3;
}
