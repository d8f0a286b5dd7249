"""``govner train``: fine-tuning with transformers' Trainer (:mod:`.train`) and batching of examples (:mod:`.data`)."""
