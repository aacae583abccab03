/**
 * Realistic e-commerce traffic for benchmarks, as analytics.js and server SDKs send it:
 * product views and cart adds from anonymous and known visitors, page views, identifies
 * that link them, and orders with products (Segment E-commerce spec v2).
 */
export function makeEventFactory(seed = 42) {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let n = 0;
  // Message ids as SDKs make them: random (analytics.js: "ajs-next-" and 32 hex digits), here
  // derived from the seed and the event's number so that the stream stays reproducible and
  // the rest of it does not depend on them.
  const messageId = (i: number) => {
    let hex = '';
    for (let k = 0; k < 4; k++) {
      let t = Math.imul((seed * 0x9e3779b1) ^ Math.imul(i, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35), 0x27d4eb2d) >>> 0;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      hex += ((t ^ (t >>> 14)) >>> 0).toString(16).padStart(8, '0');
    }
    return `ajs-next-${hex}`;
  };
  const products = Array.from({ length: 2000 }, (_, i) => ({ product_id: `sku-${i}`, name: `Product ${i}`, category: ['Kitchen', 'Garden', 'Gifts', 'Toys', 'Bath'][i % 5]!, price: Math.round((1 + (i % 97)) * 1.37 * 100) / 100 }));
  const context = (anon: string) => ({
    library: { name: 'analytics.js', version: 'next-1.84.3' },
    page: { path: '/products', referrer: 'https://www.example.com/', title: 'Shop', url: 'https://shop.example.com/products' },
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    locale: 'en-GB', timezone: 'Europe/London', ip: '203.0.113.7', anon,
  });
  return function next(): Record<string, unknown> {
    n++;
    const visitor = Math.floor(rand() * 20_000);
    const anonymousId = `anon-${visitor}`;
    const known = visitor % 3 === 0 ? `user-${visitor}` : undefined;
    const product = products[Math.floor(rand() * products.length)]!;
    const timestamp = new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString();
    const base = { messageId: messageId(n), anonymousId, ...(known === undefined ? {} : { userId: known }), timestamp, context: context(anonymousId) };
    const r = rand();
    if (r < 0.55) return { ...base, type: 'track', event: 'Product Viewed', properties: { ...product, currency: 'GBP', position: 3, url: `https://shop.example.com/p/${product.product_id}` } };
    if (r < 0.75) return { ...base, type: 'track', event: 'Product Added', properties: { ...product, quantity: 1 + Math.floor(rand() * 3), currency: 'GBP', cart_id: `cart-${visitor}` } };
    if (r < 0.87) return { ...base, type: 'page', name: 'Product list', properties: { path: '/products', title: 'Shop' } };
    if (r < 0.95) return { ...base, type: 'identify', userId: known ?? `user-${visitor}`, traits: { email: `v${visitor}@example.com`, firstName: 'Sam', city: 'Leeds' } };
    const lines = 1 + Math.floor(rand() * 4);
    const items = Array.from({ length: lines }, () => ({ ...products[Math.floor(rand() * products.length)]!, quantity: 1 + Math.floor(rand() * 2) }));
    const revenue = Math.round(items.reduce((a, p) => a + p.price * p.quantity, 0) * 100) / 100;
    return { ...base, type: 'track', userId: known ?? `user-${visitor}`, event: 'Order Completed', properties: { order_id: `o-${seed}-${n}`, revenue, total: revenue, currency: 'GBP', products: items } };
  };
}
