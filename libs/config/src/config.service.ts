/** The typed, validated settings of one app; the only way code reads configuration. */
export class ConfigService<T extends object> {
  constructor(private readonly values: Readonly<T>) {}

  get<K extends keyof T>(key: K): T[K] {
    return this.values[key];
  }
}
