/*
 * v8_peers.h -- another V8 embedder (plv8) in the same backend (v8_peers.c).
 */
#ifndef UDF_V8_PEERS_H
#define UDF_V8_PEERS_H

extern void V8PeersCheck(void);

#endif							/* UDF_V8_PEERS_H */
