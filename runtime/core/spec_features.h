/* runtime-spec features.md: the document `box features` prints.  (Not
   "features.h": that name would shadow glibc's under -Iruntime/core.)  */
#ifndef BOX_SPEC_FEATURES_H
#define BOX_SPEC_FEATURES_H

/* The features document, pretty-printed JSON; caller frees.  */
char *box_features(void);

#endif
