/* Firmware identity. Every release bumps FW_VERSION; it is printed by the
 * self-test banner and reported over diagnostics (DID 0xF195). */
#ifndef TCU_VERSION_H
#define TCU_VERSION_H

#define FW_NAME    "tcu-fw"
#define FW_VERSION "1.0.0"

#endif
