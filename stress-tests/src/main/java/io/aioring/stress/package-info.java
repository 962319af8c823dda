/**
 * Third-party attributes in a jar of their own ({@code fnv1a-64}, padding), found through ServiceLoader by the
 * multi-process stress tests beside them. Not a library.
 */
package io.aioring.stress;
