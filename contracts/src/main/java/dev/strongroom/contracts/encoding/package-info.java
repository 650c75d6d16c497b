/** Text encodings shared by every module: strict unpadded base64url. */
package dev.strongroom.contracts.encoding;
