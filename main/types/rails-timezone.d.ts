/** rails-timezone ships no types: ActiveSupport time zone names ("Pacific Time (US & Canada)") ↔ IANA names. */
declare module 'rails-timezone' {
  const railsTimeZone: {
    /** The IANA name for an ActiveSupport name, or undefined. */
    from(name: string): string | undefined;
    /** The ActiveSupport name for an IANA name, or undefined. */
    to(zone: string): string | undefined;
  };
  export default railsTimeZone;
}
