import { extendZodWithOpenApi } from '@hono/zod-openapi';
import { z } from 'zod';

// zod-to-openapi reads OpenAPI metadata through a method it adds to zod's prototype; our
// contracts use plain zod, so the server extends it once, before any route is declared.
extendZodWithOpenApi(z);
