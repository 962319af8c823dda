/**
 * The built-in attributes, found through {@link java.util.ServiceLoader}: {@code timing} (id 1: submit, start and
 * completion timestamps, queue and service latency) and {@code page-cache} (id 2: served from the page cache or
 * not, bytes resident), each with typed readers for its return record in an event.
 */
package io.aioring.attributes;
