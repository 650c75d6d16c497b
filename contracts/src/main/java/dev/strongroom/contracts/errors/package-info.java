/**
 * The stable error-code table (code, retriable or fatal) and the root exceptions every module's
 * failures derive from.
 */
package dev.strongroom.contracts.errors;
