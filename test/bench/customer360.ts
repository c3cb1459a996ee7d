export async function customer360Bench(_args: string[]): Promise<void> {}
